"""Drives the simulator with ampapi, the public client generated from AMP's spec.

argv: panel URL, username, password, instance name, expected server.properties text.
Prints one JSON object of what it saw; the Rust test asserts on it. The async classes
are used because the sync ones call requests' .json() on Void methods' empty bodies.
"""
import asyncio
import base64
import json
import sys

from ampapi.auth import BasicAuthProviderAsync
from ampapi.modules import ADSAsync, MinecraftAsync


async def main():
    url, user, password, name = sys.argv[1:5]
    seen = {}

    ads = ADSAsync(BasicAuthProviderAsync(panelUrl=url, username=user, password=password))
    login = await ads._authprovider.Login()
    seen["controller_login_success"] = login.success

    targets = await ads.ADSModule.GetInstances(False)
    instances = [i for t in targets for i in t.AvailableInstances]
    seen["instance_names"] = sorted(i.InstanceName for i in instances)
    mine = next(i for i in instances if i.InstanceName == name)
    seen["module"] = mine.Module
    seen["running"] = mine.Running
    seen["app_state"] = mine.AppState.value

    instance_url = f"{url}API/ADSModule/Servers/{mine.InstanceID}/"
    mc = MinecraftAsync(
        BasicAuthProviderAsync(panelUrl=instance_url, username=user, password=password)
    )
    await mc._authprovider.Login()

    status = await mc.Core.GetStatus()
    seen["state"] = status.State.value
    seen["active_users_max"] = status.Metrics["Active Users"].MaxValue

    listing = await mc.FileManagerPlugin.GetDirectoryListing("/")
    seen["listing"] = sorted(e.Filename for e in listing)

    # ampapi's ActionResult[str] parsing looks for a lower-case "result" key and otherwise
    # sets the Result to None, so the chunk is read from the raw answer, as its users do.
    raw = await mc.api_call(
        "FileManagerPlugin/ReadFileChunk",
        {"Filename": "server.properties", "Offset": 0, "ChunkSize": 4096},
    )
    seen["read_status"] = raw["Status"]
    seen["read_text"] = base64.b64decode(raw["Result"]).decode()

    await mc.Core.SendConsoleMessage("list")
    updates = await mc.Core.GetUpdates()
    seen["console"] = [e.Contents for e in updates.ConsoleEntries]

    print(json.dumps(seen))


asyncio.run(main())
