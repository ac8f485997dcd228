"""A member's own data across every domain: download it all, or delete the account (GDPR arts. 15, 17, 20)."""
