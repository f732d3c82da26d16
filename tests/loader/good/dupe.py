from agent import journey


@journey(id="one")
async def one_again(page, ctx):
    pass


@journey(id="two", tags=["b"])
async def two(page, ctx):
    pass
