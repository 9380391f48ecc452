"""Running the bot as a service: metrics, health and readiness, structured logs."""
