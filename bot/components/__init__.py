"""Custom NLU components of the Guichet bot."""
