"""Regenerates amp-api-subset.json from a copy of the ampapi-spec files.

Usage: python3 extract.py DIR_WITH_APISpec.json > amp-api-subset.json

Only the methods the simulator implements and the types their answers use
are kept, so the fixture stays small and its diff shows every spec change
that matters to homeamp.
"""
import json
import sys

METHODS = {
    "Core": ["Login", "Logout", "GetStatus", "Start", "Stop", "Restart",
             "SendConsoleMessage", "GetUpdates"],
    "ADSModule": ["GetInstances", "Servers", "StartInstance", "StopInstance",
                  "RestartInstance"],
    "FileManagerPlugin": ["GetDirectoryListing", "ReadFileChunk", "WriteFileChunk",
                          "RenameFile", "TrashFile", "CreateDirectory"],
}
TYPES = ["ActionResult", "ErrorResponse", "LoginResponse", "UserInfoSummary",
         "IADSInstance", "InstanceSummary", "IPlatformInfo", "ProcessorInfo",
         "DatastoreSummary", "EndpointInfo", "MetricInfo", "StatusResponse",
         "UpdateResponse", "ConsoleEntry", "DirectoryListing", "ApplicationState",
         "AuthenticationResult", "RemoteInstanceState"]

src = sys.argv[1]
spec = json.load(open(f"{src}/APISpec.json"))
types = json.load(open(f"{src}/TypeSpec.json"))
version = open(f"{src}/AMPVersion.txt").read().strip()
out = {
    "provenance": {
        "source": "ampapi-spec (APISpec.json, TypeSpec.json), by Dylan Sperrer (p0t4t0sandwich), MIT licence",
        "amp_version": version,
        "licence": "MIT License, Copyright (c) 2024 Dylan Sperrer; see LICENSE-ampapi-spec.md beside this file",
        "extracted_by": "amp-sim/spec/extract.py",
    },
    "methods": {m: {k: spec[m][k] for k in ks} for m, ks in METHODS.items()},
    "types": {t: types[t] for t in TYPES},
}
json.dump(out, sys.stdout, indent=1, sort_keys=False)
print()
