"""Every command of the day, one module per concern, each the same shape:

    def command(day: ExamDay, caller: Caller, …, request: SomeRequest) -> dict

The request is a typed, already-checked `salle.commands.request.Request` (the web layer parsed the JSON body);
the command checks who may act (ExamDay.salle_for / site_for), reads the facts from `salle.state.queries`
inside one idempotent journal command (`common.run`, by the client's id), asks a rule of `salle.rules`, and
appends its event. It answers a verdict (`common.answer`): `ok: false` is a refusal of the règlement and
records nothing (or records the refusal, for the PV, where the règlement says so).

    arrivals     the scan at the salle door (R1–R8), camera frames
    movements    definitive exit, toilets and back (R15–R19, R22, R24)
    doors        door closing time moved or pronounced, start of the épreuve, the doorkeeper (R3, R9)
    emargement   signature and copies handed in (R20, R21, R25)
    incidents    incidents and fraud reports, the jury's decision, alerts treated (R5, R10–R14, R23)
    orals        an oral's passages: arrival, the jury's decision on a lateness, tirage au sort, preparation and
                 passage, abandon, renunciation (R25, R28, R30, R32)
    end          recount and release of the salle (R21, R22)
    staff        sign-in, sign-out, locked codes
    kiosk        the accueil borne's lookup and print request (R6, R26, R27)
    rehearsal    the rehearsal clock
"""
