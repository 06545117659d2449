"""The data-source clients of the running app, built from its settings for each request.

Building a client is cheap: they share the app's pooled HTTP client and state
store, so connections and cached results outlive the request.
"""

from __future__ import annotations

from phoneline.limits import DailyBudget
from phoneline.lookups.cache import LookupCache
from phoneline.lookups.cbs import CbsClient
from phoneline.lookups.kvk import KvkClient
from phoneline.lookups.rdw import RdwClient
from phoneline.webhook import services


def lookup_cache() -> LookupCache:
    found = services()
    settings = found.settings
    return LookupCache(
        found.store,
        found_ttl=settings.cache_found_ttl,
        not_found_ttl=settings.cache_not_found_ttl,
    )


def rdw_client() -> RdwClient:
    found = services()
    settings = found.settings
    return RdwClient(
        http=found.http,
        base_url=settings.rdw_url,
        app_token=settings.rdw_app_token,
        deadline=settings.lookup_deadline,
        cache=lookup_cache(),
    )


def kvk_client() -> KvkClient:
    found = services()
    settings = found.settings
    return KvkClient(
        http=found.http,
        base_url=settings.kvk_url,
        open_data_url=settings.kvk_open_data_url,
        api_key=settings.kvk_api_key,
        deadline=settings.lookup_deadline,
        cache=lookup_cache(),
        allow_paid_call=DailyBudget(found.store, "kvk", settings.kvk_calls_per_day).spend,
    )


def cbs_client() -> CbsClient:
    found = services()
    settings = found.settings
    return CbsClient(
        http=found.http,
        base_url=settings.cbs_url,
        deadline=settings.lookup_deadline,
        cache=lookup_cache(),
    )
