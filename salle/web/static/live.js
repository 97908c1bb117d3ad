/* Live updates (Socket.IO) with the sign-in's token: the handlers by event name; a device the server signs out
   goes back to the sign-in. */
"use strict";

const Live = (() => {
  function connect(handlers) {
    if (!window.io) return null;
    // What callers hold (`live.connected`, Live.ask): the connection of the moment, which changes when the tablet
    // moves to the standby.
    const link = {
      socket: null,
      get connected() { return !!(this.socket && this.socket.connected); },
      emit(...args) { return this.socket.emit(...args); },
      disconnect() { if (this.socket) this.socket.disconnect(); },
    };
    const open = () => {
      const options = { auth: { token: Api.token() }, transports: ["websocket", "polling"] };
      const socket = Api.base() ? io(Api.base(), options) : io(options); // a tablet moved to the standby: there
      for (const [name, fn] of Object.entries(handlers)) socket.on(name, fn);
      // Cut by the server (this device was signed out): ask who we are; a 401 brings the sign-in back.
      socket.on("disconnect", (reason) => {
        if (reason === "io server disconnect") Api.request("GET", "/api/v1/me").catch(() => {});
      });
      socket.on("connect_error", (err) => {
        if (err && err.data && ["jeton_invalide", "jeton_expire", "non_authentifie"].includes(err.data.code)) {
          SignIn.logout(false);
        }
      });
      // Under load the server batches what piled up into one "evenements" message (a list, oldest first).
      if (handlers.evenement) socket.on("evenements", (list) => list.forEach(handlers.evenement));
      // … and the summaries of several salles touched in one tick as one "salles_etat" (a list).
      if (handlers.salle_etat) socket.on("salles_etat", (list) => list.forEach(handlers.salle_etat));
      link.socket = socket;
    };
    open();
    // Moved (the main died, the standby promoted): the main's connection is dropped and the live updates come from
    // the standby, as its commands do (its `connect` handler reads the state again there).
    Api.onMove(() => {
      const old = link.socket;
      old.off(); old.disconnect();
      open();
    });
    return link;
  }

  /* A command answered over the live connection (its acknowledgement), as Api.command answers it; null when the
     connection is not up or gives no answer within `ms`: the caller then sends it by HTTP (same client id). */
  function ask(socket, event, data, ms = 1500) {
    if (!socket || !socket.connected) return Promise.resolve(null);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(null), ms);
      socket.emit(event, data, (answer) => {
        clearTimeout(timer);
        if (answer) Api.noteAnswer(answer);
        resolve(answer || null);
      });
    });
  }
  return { connect, ask };
})();
