"""Helpers that more than one test folder uses: fakes of outside services, the check
stage's runner, document builders, the drift fixture pages and the real-world corpus."""
