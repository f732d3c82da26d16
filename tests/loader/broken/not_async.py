from agent import journey


@journey(id="sync")
def sync(page, ctx):
    pass
