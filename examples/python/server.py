"""A small implementation of "Save a shared track" in Python, with only the standard library.

It is here to show share-conformance against a server written in another language: the
harness talks HTTP and needs nothing of the server but its base URL and its fixtures.

    python3 examples/python/server.py --port 8091 --fixtures-out /tmp/python.toml
    cargo run -- run --base-url http://127.0.0.1:8091 --fixtures /tmp/python.toml

It serves what the suite reads: the save itself, the public resolve of a share, and the
recipient's list of saved tracks. State lives in memory and is seeded at start.
"""

import argparse
import datetime
import json
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


def new_id(prefix):
    return prefix + secrets.token_hex(6)


def now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Store:
    """Tracks, shares by token and the recipient's library, behind one lock."""

    def __init__(self):
        self.lock = threading.Lock()
        self.recipient_key = "ak_" + secrets.token_hex(20)[:39]
        self.recipient_org = new_id("org_")
        self.track = {"id": new_id("mtrack_"), "title": "Harbour Lights"}
        deleted = {"id": new_id("mtrack_"), "title": "Gone", "deleted": True}
        self.collection = {"id": new_id("mcoll_"), "name": "Evening", "description": None}
        self.shares = {}
        self.tokens = {}
        for state, target, kind in [
            ("live", self.track, "track"),
            ("revoked", self.track, "track"),
            ("expired", self.track, "track"),
            ("removed", deleted, "track"),
            ("collection", self.collection, "collection"),
        ]:
            token = "shr_" + secrets.token_hex(16)
            self.tokens[state] = token
            self.shares[token] = {
                "id": new_id("mslink_"),
                "state": state,
                "target": target,
                "kind": kind,
            }
        self.library = []  # edges, newest last

    def fixtures_toml(self):
        tokens = "\n".join(f'{state} = "{token}"' for state, token in self.tokens.items())
        live = self.shares[self.tokens["live"]]
        return (
            f'api_key = "{self.recipient_key}"\n\n[tokens]\n{tokens}\n\n'
            f'[expected]\ntrack_id = "{self.track["id"]}"\nshare_link_id = "{live["id"]}"\n\n'
            f'[recipient]\norganization_id = "{self.recipient_org}"\n'
        )


def envelope(status, code, message, system_message, error_type):
    return {
        "success": False,
        "error": {
            "code": code,
            "message": message,
            "system_message": system_message,
            "type": error_type,
            "status": status,
            "details": {},
            "trace_id": "req_" + secrets.token_hex(8),
            "timestamp": now(),
        },
    }


def unauthorized():
    return 401, envelope(
        401,
        "AUTHENTICATION_REQUIRED",
        "Authentication required. Please provide a valid API key.",
        "Saving a shared track requires sign-in",
        "authentication_error",
    )


def not_found():
    return 404, envelope(
        404,
        "RESOURCE_NOT_FOUND",
        "This share link is no longer available.",
        "Share token invalid, revoked, expired, or content removed",
        "client_error",
    )


class Handler(BaseHTTPRequestHandler):
    # Keep-alive, as HTTP clients expect; every response says its length.
    protocol_version = "HTTP/1.1"
    store = None

    def send_json(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def authenticated(self):
        # Only the X-API-Key header signs in here: a Bearer token this server never issued
        # is not a credential, and two keys are one too many.
        keys = self.headers.get_all("X-API-Key") or []
        if len(keys) != 1 or self.headers.get("Authorization"):
            return False
        return secrets.compare_digest(keys[0].encode(), self.store.recipient_key.encode())

    def segments(self):
        return [s for s in urlsplit(self.path).path.split("/") if s]

    def do_POST(self):
        parts = self.segments()
        if len(parts) == 5 and parts[:3] == ["v1", "music", "shared"] and parts[4] == "save":
            self.send_json(*self.save(parts[3]))
        else:
            self.send_json(*self.no_route())

    def do_GET(self):
        parts = self.segments()
        if len(parts) == 4 and parts[:3] == ["v1", "music", "shared"]:
            self.send_json(*self.resolve(parts[3]))
        elif len(parts) == 4 and parts[:2] == ["v1", "music"] and parts[3] == "tracks":
            self.send_json(*self.list_saved(parts[2]))
        else:
            self.send_json(*self.no_route())

    def no_route(self):
        return 404, envelope(404, "RESOURCE_NOT_FOUND", "The requested resource was not found.",
                             "No route matches this method and path", "client_error")

    def save(self, token):
        # The key first: without sign-in, nothing is said about the token.
        if not self.authenticated():
            return unauthorized()
        with self.store.lock:
            share = self.store.shares.get(token)
            if share is None or share["state"] != "live" or share["kind"] != "track":
                # One graceful 404 for unknown, revoked, expired, removed and collection shares.
                return not_found()
            track = share["target"]
            for edge in self.store.library:
                if edge["track_id"] == track["id"] and edge["share_link_id"] == share["id"]:
                    return 201, edge
            edge = {
                "id": new_id("mlib_"),
                "track_id": track["id"],
                "source": "shared",
                "share_link_id": share["id"],
                "created_at": now(),
            }
            self.store.library.append(edge)
            return 201, edge

    def resolve(self, token):
        share = self.store.shares.get(token)
        if share is None or share["state"] in ("revoked", "expired"):
            return not_found()
        track = share["target"] if share["kind"] == "track" else None
        available = not (track and track.get("deleted"))
        view = None
        if track and available:
            view = {
                "id": track["id"],
                "title": track["title"],
                "engine": "python-example",
                "mode": "song",
                "measured_duration_seconds": 187.4,
                "instrumental": False,
                "playback_url": f"https://play.example/{track['id']}?sig={secrets.token_hex(8)}",
                "licence": {
                    "licence_class": "personal",
                    "licence_version": "2026-01",
                    "commercial_use": False,
                    "requires_attribution": True,
                },
            }
        return 200, {
            "kind": share["kind"],
            "available": available,
            "message": None if available else "The creator removed this content.",
            "share": {"target_type": share["kind"], "visibility": "link_only", "expires_at": None},
            "track": view,
            "collection": self.store.collection if share["kind"] == "collection" else None,
            "tracks": [] if share["kind"] == "collection" else None,
        }

    def list_saved(self, organization):
        if not self.authenticated():
            return unauthorized()
        if organization != self.store.recipient_org:
            return not_found()
        query = parse_qs(urlsplit(self.path).query)
        limit = min(max(int(query.get("limit", ["50"])[0]), 1), 100)
        offset = max(int(query.get("offset", ["0"])[0]), 0)
        with self.store.lock:
            newest_first = list(reversed(self.store.library))
        items = [
            {"id": edge["track_id"], "title": self.store.track["title"], "playback_url": None,
             "stem_urls": None}
            for edge in newest_first[offset:offset + limit]
        ]
        return 200, {"items": items, "limit": limit, "offset": offset}

    def log_message(self, *args):
        pass


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8091)
    parser.add_argument("--fixtures-out", help="write the fixtures TOML here once listening")
    args = parser.parse_args()
    Handler.store = Store()
    # The harness sends its scenarios' requests at once: queue them rather than refuse them.
    ThreadingHTTPServer.request_queue_size = 256
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    fixtures = Handler.store.fixtures_toml()
    if args.fixtures_out:
        with open(args.fixtures_out, "w") as out:
            out.write(fixtures)
    print(f"python server listening on http://127.0.0.1:{server.server_port}", flush=True)
    if not args.fixtures_out:
        print(fixtures, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
