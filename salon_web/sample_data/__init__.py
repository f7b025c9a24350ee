"""Made-up salons for trying the app (demo) and for measuring it (bench data); never part of a request."""
