"""The walk-through after sign-up: privacy, how the community works, the diary, introducing yourself.

Short and skippable on every step, in the member's language, and readable
by visitors too (it is also the best "how does this place work" page). It
stores nothing: a member who skips it loses nothing and can come back from the
resources page or the footer.
"""
