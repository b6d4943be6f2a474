let i=0;const s=document.querySelectorAll('section');const show=k=>{s[i].classList.remove('on');
i=Math.max(0,Math.min(s.length-1,k));s[i].classList.add('on');};s[0].classList.add('on');
document.addEventListener('keydown',e=>{if(['ArrowRight','PageDown',' '].includes(e.key))
show(i+1);if(['ArrowLeft','PageUp'].includes(e.key))show(i-1);});
document.addEventListener('click',()=>show(i+1));
