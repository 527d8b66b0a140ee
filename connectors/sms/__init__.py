"""The sms domain."""
