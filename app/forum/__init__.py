"""Categories, threads, posts, revisions, reactions and visits."""
