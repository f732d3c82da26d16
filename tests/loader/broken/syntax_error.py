from agent import journey, step


@journey(id="syntax")
async def syntax(page, ctx):
    async with step("open")
        await page.goto(ctx.url("/"))
