"""Speech: Whisper models, transcription, subtitles and error rates."""
