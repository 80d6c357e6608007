"""In-app notifications that every domain creates."""
