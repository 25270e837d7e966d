"""Listen: speech activity, audio events and turn-taking, per second."""
