"""Psycho-education and care resources: reviewed pages in French, Dutch and English.

The pages are Markdown files under version control (`content/{lang}/{slug}.md`,
front matter in TOML between `+++` lines: title, summary, last reviewed date,
sources, keywords), listed in `content/index.toml`, and rendered through the
same Markdown pipeline as posts. Other domains use `service` only: the forum
asks it which pages to suggest for a post and which pages belong to a
category, and which template the composer of a category starts from.
"""
