"""Twilio webhook blueprints: one module per channel."""
