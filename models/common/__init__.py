"""What every domain shares: record and settings bases, where models run, text helpers."""
