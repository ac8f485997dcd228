"""In-app notifications (no e-mail, no push service), watched threads and categories, the header's bell."""
