"""Reliability tests: served apps killed, databases restarted, search engines hung.

Every loop in these tests is bounded by a count and a deadline, so a regression
fails the test instead of hanging the suite.
"""
