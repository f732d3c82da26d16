from agent import journey

SETTINGS = {}
BASE = SETTINGS["base"]


@journey(id="runtime")
async def runtime(page, ctx):
    pass
