"""What the workstation and the hub agree on: request and master-data signatures (docs/sync-protocol.md)."""
