"""Custom actions of the Guichet bot: thin translations between the tracker and the Guichet API."""
