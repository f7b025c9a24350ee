"""Domain logic. No Flask imports here: views call services, services call models."""
