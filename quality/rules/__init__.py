"""Pure rules of the quality app (no Django): anomaly detection."""
