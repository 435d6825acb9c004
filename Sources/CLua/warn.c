/*
 * warn.c: the trusted profile's warnings, as the stock interpreter gives them: off until
 * warn("@on"), each message on standard error as "Lua warning: " and its pieces and a newline.
 * (The sandbox sets none: warn does nothing there, so a script cannot write past the host's
 * output.)
 */
#include <stdio.h>
#include <string.h>
#include "clua.h"

enum { WARN_OFF, WARN_ON, WARN_CONTINUING };

static void warn_message(void *ud, const char *message, int tocont) {
    clua_control *ctl = ud;
    if (ctl->warn_mode != WARN_CONTINUING && !tocont && message[0] == '@') {
        if (strcmp(message, "@on") == 0) ctl->warn_mode = WARN_ON;
        else if (strcmp(message, "@off") == 0) ctl->warn_mode = WARN_OFF;
        return; /* other control messages are ignored */
    }
    if (ctl->warn_mode == WARN_OFF) return;
    if (ctl->warn_mode == WARN_ON) fputs("Lua warning: ", stderr);
    fputs(message, stderr);
    if (tocont) {
        ctl->warn_mode = WARN_CONTINUING;
    } else {
        fputs("\n", stderr);
        ctl->warn_mode = WARN_ON;
    }
    fflush(stderr);
}

void clua_set_stock_warnings(lua_State *L) {
    clua_control *ctl = clua_control_of(L);
    ctl->warn_mode = WARN_OFF;
    lua_setwarnf(L, warn_message, ctl);
}
