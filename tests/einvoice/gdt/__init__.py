"""Tests of the tax-authority XML package."""
