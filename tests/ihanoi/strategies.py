"""Hypothesis strategies the iHanoi wire tests share: texts XML and JSON both carry, and
aware moments in GMT+7."""

from __future__ import annotations

from datetime import datetime

from hypothesis import strategies as st

from connectors.vn import VN_TZ

texts = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="<"),
    max_size=80,
).filter(lambda t: t.strip())
moments = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(VN_TZ)
)
