/* The staff's sign-in on this device (tablet, console): the code exchanged for a token kept in localStorage with
   who signed in; signing out forgets both, and a token the server refuses signs the device out. */
"use strict";

const SignIn = (() => {
  const WHO = "salle.personnel";
  const personnel = () => JSON.parse(localStorage.getItem(WHO) || "null");

  async function login(code, device) {
    const { status, data } = await Api.request("POST", "/api/v1/auth/login", { code, device });
    if (status !== 200) throw new Error(data.erreur ? data.erreur.message : "Connexion impossible.");
    Api.saveToken(data.token);
    Api.setStandby(data.secours || null); // where to go if this server stops answering (issue 15)
    localStorage.setItem(WHO, JSON.stringify(data.personnel));
    return data.personnel;
  }

  /* Sign this device out. `server`: also tell the server, so the token stops working there (not when the
     server has just refused it). */
  async function logout(server = true) {
    if (server && Api.token()) {
      try { await Api.request("POST", "/api/v1/auth/logout"); } catch (e) { /* offline: forgotten here anyway */ }
    }
    Api.forgetToken(); localStorage.removeItem(WHO);
    location.reload();
  }

  Api.configure({ onUnauthorized: () => logout(false) });
  return { login, logout, personnel, signedIn: () => !!(Api.token() && personnel()) };
})();
