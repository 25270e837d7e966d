// Sorot review: clip selection, click-to-seek, decisions, comments and export progress.
// Plain forms work without this script; it only avoids page reloads.
"use strict";

const csrf = () => document.querySelector('meta[name="csrf-token"]').content;

async function postForm(form, submitter) {
  const body = new FormData(form);
  if (submitter && submitter.name) body.set(submitter.name, submitter.value);
  const response = await fetch(form.action, {
    method: "POST",
    body,
    headers: { "X-CSRF-Token": csrf(), Accept: "application/json" },
    credentials: "same-origin",
  });
  if (response.status === 409) {
    const body = await response.json().catch(() => ({}));
    return { status: 409, detail: body.detail };
  }
  if (!response.ok) {
    // The app's refusals carry a message in the user's language as `detail`.
    const body = await response.json().catch(() => ({}));
    throw new Error(typeof body.detail === "string" ? body.detail : `${response.status}`);
  }
  return response.json();
}

// m:ss.s like the server's `tc` filter: rounded to tenths first, so 59.96 s is 1:00.0.
function fmt(seconds) {
  const tenths = Math.round(Math.max(0, seconds) * 10);
  const m = Math.floor(tenths / 600);
  const rest = tenths - m * 600;
  return `${m}:${String(Math.floor(rest / 10)).padStart(2, "0")}.${rest % 10}`;
}

function setupVideoPage() {
  const dataEl = document.getElementById("page-data");
  if (!dataEl) return;
  const page = JSON.parse(dataEl.textContent);
  const player = document.getElementById("player");
  const decide = document.querySelector("form[data-decide]");
  const comment = document.querySelector("form[data-comment]");
  const clips = new Map(page.clips.map((c) => [c.clip_id, c]));
  let current = page.clips[0] || null;

  const sourceTime = () => (current ? current.start + player.currentTime : 0);

  function showTrim() {
    if (!decide) return;
    for (const which of ["in", "out"]) {
      const value = decide.elements[`${which}_point`].value;
      decide.querySelector(`[data-show="${which}"]`).textContent = value ? fmt(+value) : "–";
    }
  }

  // The form carries the selected clip's current state: its trim and, as `base`, the id of
  // the decision the editor sees (a decision saved by someone else since is a conflict).
  function loadState(clip) {
    if (!decide) return;
    const d = clip.decision;
    decide.elements.in_point.value = d && d.in_point !== null ? d.in_point : "";
    decide.elements.out_point.value = d && d.out_point !== null ? d.out_point : "";
    decide.elements.clear_trim.value = "";
    decide.elements.base.value = d ? d.id : 0;
    showTrim();
  }

  function showBadge(clip) {
    const badge = document.querySelector(
      `article.clip[data-clip-id="${CSS.escape(clip.clip_id)}"] [data-badge]`);
    const d = clip.decision;
    if (!badge || !d) return;
    const saved = decide.querySelector(".saved");
    const word = d.decision === "approve" ? saved.dataset.approved : saved.dataset.rejected;
    const trimmed = d.in_point !== null || d.out_point !== null;
    const span = trimmed
      ? ` · ${fmt(d.in_point ?? clip.start)}–${fmt(d.out_point ?? clip.end)}` : "";
    badge.className = `badge ${d.decision}`;
    badge.textContent = `${word} · ${d.user}${span}`;
  }

  function select(clipId, seekTo) {
    const clip = clips.get(clipId);
    if (!clip) return;
    if (clip !== current || !player.getAttribute("src")) {
      current = clip;
      if (clip.video_url) player.src = clip.video_url;
      document.querySelectorAll("article.clip").forEach((el) =>
        el.classList.toggle("selected", el.dataset.clipId === clipId));
      document.getElementById("now-playing").textContent =
        `#${document.querySelector(`article.clip[data-clip-id="${CSS.escape(clipId)}"] .rank`).textContent.slice(1)} · ${fmt(clip.start)}–${fmt(clip.end)}`;
      if (decide) {
        decide.action = `/video/${page.video_id}/clips/${encodeURIComponent(clipId)}/decision`;
        loadState(clip);
      }
      if (comment) comment.elements.clip_id.value = clipId;
      markOutside();
    }
    if (seekTo !== undefined) {
      const seek = () => { player.currentTime = Math.max(0, seekTo - clip.start); player.play().catch(() => {}); };
      if (player.readyState >= 1) seek(); else player.addEventListener("loadedmetadata", seek, { once: true });
    }
  }

  function clipAt(t) {
    if (current && t >= current.start && t <= current.end) return current;
    return page.clips.find((c) => t >= c.start && t <= c.end) || null;
  }

  function markOutside() {
    document.querySelectorAll("#transcript span[data-t]").forEach((el) => {
      el.classList.toggle("outside", !clipAt(+el.dataset.t));
    });
  }

  document.querySelectorAll("[data-select]").forEach((btn) =>
    btn.addEventListener("click", () => select(btn.dataset.select, clips.get(btn.dataset.select).start)));

  // Click-to-seek: any element with data-t (transcript words, segment and comment times);
  // words are focusable spans, so Enter or Space seeks too.
  function seekFrom(el) {
    const t = +el.dataset.t;
    const clip = clipAt(t);
    const notice = document.querySelector("[data-not-in-clip]");
    if (!clip) { if (notice) notice.textContent = notice.dataset.notInClip; return; }
    if (notice) notice.textContent = "";
    select(clip.clip_id, t);
  }
  const seekable = ".transcript [data-t], .comments [data-t], .tl [data-t]";
  document.addEventListener("click", (event) => {
    const el = event.target.closest(seekable);
    if (el && el.matches("p[data-t]") === false) seekFrom(el);
  });
  document.addEventListener("keydown", (event) => {
    const el = event.target.closest && event.target.closest("#transcript span[data-t], .tl [data-t]");
    if (el && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      seekFrom(el);
    }
  });

  // Highlight the word being played.
  let lastWord = null;
  player.addEventListener("timeupdate", () => {
    if (comment) {
      comment.elements.timecode.value = sourceTime().toFixed(2);
      comment.querySelector('[data-show="comment-time"]').textContent = fmt(sourceTime());
    }
    const t = sourceTime();
    let word = null;
    for (const el of document.querySelectorAll("#transcript span[data-t]")) {
      if (+el.dataset.t <= t) word = el; else break;
    }
    if (word !== lastWord) {
      if (lastWord) lastWord.classList.remove("current");
      if (word) word.classList.add("current");
      lastWord = word;
    }
  });

  if (decide) {
    decide.querySelectorAll("[data-mark]").forEach((btn) =>
      btn.addEventListener("click", () => {
        const which = btn.dataset.mark;
        if (which === "reset") {
          decide.elements.in_point.value = "";
          decide.elements.out_point.value = "";
          decide.elements.clear_trim.value = "true";
        } else {
          decide.elements[`${which}_point`].value = sourceTime().toFixed(2);
          decide.elements.clear_trim.value = "";
        }
        showTrim();
      }));
    decide.addEventListener("submit", async (event) => {
      event.preventDefault();
      const saved = decide.querySelector(".saved");
      const clip = current;
      try {
        const result = await postForm(decide, event.submitter);
        if (result.status === 409) {
          // Someone else decided first: show their decision, keep ours unsent.
          const detail = result.detail || {};
          clip.decision = detail.latest || null;
          saved.textContent = `⚠ ${detail.message || ""}`;
        } else {
          clip.decision = result;
          saved.textContent = saved.dataset.saved;
        }
        showBadge(clip);
        if (clip === current) loadState(clip);
      } catch (err) {
        saved.textContent = `⚠ ${err.message}`;
      }
    });
  }

  if (comment) {
    comment.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        const result = await postForm(comment);
        const list = document.querySelector(".comments");
        const empty = list.querySelector("[data-empty]");
        if (empty) empty.remove();
        const li = document.createElement("li");
        const time = document.createElement("button");
        time.type = "button";
        time.className = "tc";
        time.dataset.t = result.timecode;
        time.textContent = fmt(result.timecode);
        const who = document.createElement("strong");
        who.textContent = result.user;
        li.append(time, " ", who, `: ${result.text}`);
        list.appendChild(li);
        const count = document.getElementById("comment-count");
        count.textContent = list.querySelectorAll("li").length;
        comment.elements.text.value = "";
      } catch (err) {
        comment.querySelector("button").textContent = `⚠ ${err.message}`;
      }
    });
  }
  markOutside();
  // /video/<id>#<clip_id> (from the night's ranking) opens that clip.
  // /video/<id>#t=<seconds> (from search) plays the clip holding that second.
  const wanted = decodeURIComponent(location.hash.slice(1));
  if (wanted.startsWith("t=")) {
    const word = document.createElement("span");
    word.dataset.t = wanted.slice(2);
    seekFrom(word);
  } else if (wanted && clips.has(wanted)) select(wanted);
}

function setupExports() {
  document.querySelectorAll("form[data-export]").forEach((form) => {
    const bar = form.querySelector("progress");
    const status = form.querySelector(".export-status");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      form.querySelector("button").disabled = true;
      bar.hidden = false;
      bar.value = 0;
      status.textContent = status.dataset.running;
      try {
        let job = await postForm(form);
        if (job.status === 409) { status.textContent = status.dataset.empty; bar.hidden = true; return; }
        while (job.status === "running") {
          await new Promise((resolve) => setTimeout(resolve, 400));
          const response = await fetch(`/exports/${job.id}`, { headers: { Accept: "application/json" } });
          job = await response.json();
          bar.value = job.progress;
        }
        if (job.status !== "done") throw new Error(job.error || "failed");
        bar.value = 1;
        const made = job.clips - job.skipped.length;
        const done = made === 1 ? status.dataset.doneOne : status.dataset.done;
        status.textContent = `${done.replace("{n}", made)} `;
        if (job.skipped.length) {
          status.textContent += `(${status.dataset.skipped} ${job.skipped.join("; ")}) `;
        }
        const link = document.createElement("a");
        link.href = `/exports/${job.id}/download`;
        link.textContent = status.dataset.download;
        link.setAttribute("download", "");
        status.appendChild(link);
      } catch (err) {
        status.textContent = `${status.dataset.failed} (${err.message})`;
      } finally {
        form.querySelector("button").disabled = false;
      }
    });
  });
}

document.addEventListener("DOMContentLoaded", () => {
  setupVideoPage();
  setupExports();
});
