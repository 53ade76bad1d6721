"""The reader's self-service pages (`/account/`): memberships, giving history, preferences, their data."""
