"""A night's official events: videos grouped by recording time and place."""
