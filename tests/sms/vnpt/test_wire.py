"""VNPT's wire module: what the client writes is what the simulator reads."""

from __future__ import annotations

import json

import pytest

from connectors.sms.vnpt.wire import (
    DEFAULT_PROFILE,
    SendRequest,
    read_reply,
    reply,
    request_of,
    send_request,
)

REQUEST = SendRequest(
    reqid="1",
    label_id="1201",
    contract_id="HD-1",
    template_id="40021",
    params=("a", "b"),
    msisdn="84912345678",
    agent_id="AG",
    api_user="api",
    api_pass="pw",
    username="user",
    accented=True,
)


def test_a_request_round_trips_with_its_name_and_contract_type() -> None:
    read = request_of(send_request(REQUEST, DEFAULT_PROFILE))
    assert REQUEST == SendRequest(**{**read.__dict__, "name": "", "contract_type": ""})
    assert ("send_sms_list", "1") == (read.name, read.contract_type)


@pytest.mark.parametrize(
    "params",
    [[{"NUM": "2", "CONTENT": "x"}], [{"NUM": "x", "CONTENT": "y"}], [{"CONTENT": "y"}], "x"],
)
def test_unreadable_params_are_none(params: object) -> None:
    body = send_request(REQUEST, DEFAULT_PROFILE)
    body["RQST"]["PARAMS"] = params
    assert request_of(body).params is None


def test_replies_read_back() -> None:
    assert ("0", "success") == read_reply(json.dumps(reply("send_sms_list", "0")).encode())
    assert ("33", "duplicate request id") == read_reply(
        json.dumps(reply("send_sms_list", "33")).encode()
    )
    with pytest.raises(KeyError):
        read_reply(b'{"other": {}}')
