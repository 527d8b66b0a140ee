"""The banks domain: fee collection through payment gateways, QR transfers and webhooks."""
