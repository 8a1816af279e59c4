"""Risk-tolerance assessment: grading a questionnaire's answers, limits, validity, storage, paper.

Qt-free. ``grading`` holds the pure rules; ``repository`` the stored assessments; ``paper`` the blank
numbered questionnaire PDF.
"""
