"""How people hear about their tasks: recipients, templates, digests, channels.

Reminders are the next capability to land (see the issues); nothing here sends yet.
"""
