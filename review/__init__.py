"""The editors' review web app: ranked clips, transcripts, decisions and export.

Entry points for the CLI: `review.app.create_app(settings)` and `review.app.serve(...)`;
user management in `review.users`.
"""
