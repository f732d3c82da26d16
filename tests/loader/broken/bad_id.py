from agent import journey


@journey(id="Bad Id")
async def bad(page, ctx):
    pass
