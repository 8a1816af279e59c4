"""The window around everything: start-up, set-up, sign-in, lock, the home of each role, the status bar."""
