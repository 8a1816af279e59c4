"""What the customer sees and touches: the questionnaire and the sign-off on the customer window."""
