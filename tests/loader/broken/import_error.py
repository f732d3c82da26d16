from agent import journey
import no_such_module_for_synth  # noqa: F401


@journey(id="imports")
async def imports(page, ctx):
    pass
