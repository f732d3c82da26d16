from agent import journey, step


@journey(id="one", tags=["a"])
async def one(page, ctx):
    async with step("first"):
        pass
    async with step("second", soft=True):
        pass
