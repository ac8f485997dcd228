"""Web plumbing shared by every domain: templates, middleware, CSRF, error pages."""
