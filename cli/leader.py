"""The leader's face: `sorot leader enroll|list`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from app.settings import DEFAULT_STORE
from cli.common import StoreOpt, console, shown

app = typer.Typer(no_args_is_help=True, help="Enroll the leader's face.")


@app.command("enroll")
def leader_enroll(
    photos: Annotated[list[Path], typer.Argument(help="Photos with the leader's face.")],
    name: Annotated[str, typer.Option(help="The leader's name, e.g. 'Wayan Koster'.")],
    store: StoreOpt = DEFAULT_STORE,
) -> None:
    """Store face embeddings of NAME from PHOTO... so runs can tell when the leader is seen."""
    import hashlib

    import numpy as np
    from PIL import Image, ImageOps

    from models.look.leader import FaceEmbedder
    from storage.leaders import LeaderProfile, PhotoRef, save_leader
    from storage.manifest import now_iso
    from storage.store import Store

    embedder = FaceEmbedder()
    embeddings, refs, problems = [], [], []
    for photo in photos:
        try:
            with Image.open(photo) as img:
                rgb = np.asarray(ImageOps.exif_transpose(img).convert("RGB"))
            embeddings.append(embedder.enroll(rgb).round(6).tolist())
        except (OSError, ValueError) as exc:
            problems.append(f"{photo}: {exc}")
            continue
        refs.append(
            PhotoRef(name=photo.name, sha256=hashlib.sha256(photo.read_bytes()).hexdigest())
        )
    for p in problems:
        console.print(f"[red]skipped {shown(p)}[/]")
    if not embeddings:
        console.print("[red]no usable photo: nothing enrolled[/]")
        raise typer.Exit(1)
    profile = LeaderProfile(
        name=name, embeddings=embeddings, photos=refs, model=embedder.name, enrolled_at=now_iso()
    )
    key = save_leader(Store(store), profile)
    where = shown(f"{store}/{key}")
    console.print(f"enrolled {shown(name)}: {len(embeddings)} photo(s) -> {where}")


@app.command("list")
def leader_list(store: StoreOpt = DEFAULT_STORE) -> None:
    """List enrolled leaders."""
    from storage.leaders import load_leaders
    from storage.store import Store

    for p in load_leaders(Store(store)):
        console.print(
            f"{shown(p.name)}: {len(p.embeddings)} photo(s), enrolled {shown(p.enrolled_at)}"
        )
