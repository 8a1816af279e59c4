"""Building blocks every page uses: shared widgets, the form view, the signature pad, the PDF
preview, background tasks, fonts and translations, the application context."""
