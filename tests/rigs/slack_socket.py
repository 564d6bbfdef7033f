"""A fake of Slack's Socket Mode: the apps.connections.open call and the WebSocket it hands out,
on loopback."""

from __future__ import annotations

import json
import uuid
from typing import Any

from aiohttp import WSMsgType, web


class FakeSocketSlack:
    """Slack's end of Socket Mode: hello, then envelopes; records acknowledgements."""

    def __init__(self) -> None:
        self.connections = 0
        self.acks: list[str] = []
        self.sockets: list[web.WebSocketResponse] = []
        self.answer_pings = True

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse(autoping=False)  # pongs by hand, so they can stop
        await socket.prepare(request)
        self.connections += 1
        self.sockets.append(socket)
        await socket.send_json({"type": "hello", "num_connections": 1,
                                "debug_info": {"approximate_connection_time": 3600}})
        async for message in socket:
            if message.type == WSMsgType.PING:
                if self.answer_pings:
                    await socket.pong(message.data)
            elif message.type == WSMsgType.TEXT:
                data = json.loads(message.data)
                if "envelope_id" in data:
                    self.acks.append(data["envelope_id"])
        return socket

    async def send_event(self, body: dict[str, Any]) -> str:
        envelope = str(uuid.uuid4())
        await self.sockets[-1].send_json({"envelope_id": envelope, "type": "events_api",
                                          "accepts_response_payload": False, "payload": body,
                                          "retry_attempt": 0, "retry_reason": ""})
        return envelope
