"""Dilemmaboard: one leadership dilemma a week, five options, votes and a comment blog."""
