"""`kit graph`: a picture of the project (jobs, what they read and write, triggers)."""
