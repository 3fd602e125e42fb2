"""Background jobs: long work (big exports, certificate ZIPs) run by the Huey worker, with progress and a file."""
