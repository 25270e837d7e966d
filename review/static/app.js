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
  if (response.status === 409) return { status: 409 };
  if (!response.ok) {
    // The app's refusals carry a message in the user's language as `detail`.
    const body = await response.json().catch(() => ({}));
    throw new Error(typeof body.detail === "string" ? body.detail : `${response.status}`);
  }
  return response.json();
}

function fmt(seconds) {
  const m = Math.floor(seconds / 60);
  const s = (seconds - m * 60).toFixed(1).padStart(4, "0");
  return `${m}:${s}`;
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
        decide.elements.in_point.value = "";
        decide.elements.out_point.value = "";
        showTrim();
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

  // Click-to-seek: any element with data-t (transcript words, segment and comment times).
  document.querySelectorAll(".transcript [data-t], .comments [data-t]").forEach((el) =>
    el.addEventListener("click", () => {
      const t = +el.dataset.t;
      const clip = clipAt(t);
      const notice = document.querySelector("[data-not-in-clip]");
      if (!clip) { if (notice) notice.textContent = notice.dataset.notInClip; return; }
      if (notice) notice.textContent = "";
      select(clip.clip_id, t);
    }));

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
        } else {
          decide.elements[`${which}_point`].value = sourceTime().toFixed(2);
        }
        showTrim();
      }));
    decide.addEventListener("submit", async (event) => {
      event.preventDefault();
      const saved = decide.querySelector(".saved");
      try {
        const result = await postForm(decide, event.submitter);
        const badge = document.querySelector(
          `article.clip[data-clip-id="${CSS.escape(result.clip_id)}"] [data-badge]`);
        const label = event.submitter.textContent.replace(/^[^\p{L}]+/u, "");
        badge.className = `badge ${result.decision}`;
        badge.textContent = `${label} · ${result.user}`;
        saved.textContent = saved.dataset.saved;
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
        const li = document.createElement("li");
        li.textContent = `${fmt(result.timecode)} ${result.user}: ${result.text}`;
        document.querySelector(".comments").appendChild(li);
        comment.elements.text.value = "";
      } catch (err) {
        comment.querySelector("button").textContent = `⚠ ${err.message}`;
      }
    });
  }
  markOutside();
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
        status.textContent = `${status.dataset.done} ${job.clips} `;
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
